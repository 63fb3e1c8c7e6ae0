import { Controller, Get, Header, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiDatabaseUnavailable } from '../openapi/api-responses.js';
import { ApiTag } from '../openapi/api-tags.js';
import { PublicProviderListDto } from './dto/provider.dto.js';
import { SignInProvidersService } from './sign-in-providers.service.js';

@ApiTag('sign-in with another provider')
@Controller('api/providers')
export class ProvidersController {
  constructor(private readonly providers: SignInProvidersService) {}

  @Get()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The providers people may sign in with (GET /sign_in/{provider} starts one)' })
  @ApiOkResponse({ type: PublicProviderListDto })
  @ApiDatabaseUnavailable()
  async list(): Promise<PublicProviderListDto> {
    return { providers: (await this.providers.list()).map(({ id, name }) => ({ id, name })) };
  }
}
