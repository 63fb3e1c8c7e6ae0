import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProfileController } from './profile.controller.js';
import { ProfileEntity } from './profile.entity.js';
import { ProfileService } from './profile.service.js';

// No import of AuthModule: the token guard needs none of its providers, and
// AuthModule reads profiles through ProfileService for the login answer.
@Module({
  imports: [TypeOrmModule.forFeature([ProfileEntity])],
  controllers: [ProfileController],
  providers: [ProfileService],
  exports: [ProfileService],
})
export class ProfileModule {}
